"""The notify service's settings, from ``YANPEI_NOTIFY_*`` environment variables."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

from services.notify.channels import SmtpSettings
from services.notify.dispatcher import RetryPolicy

__all__ = ["NotifySettings"]


class NotifySettings(BaseSettings):
    """SMTP server, delivery pace and retries.

    Attributes:
        smtp_host, smtp_port, smtp_sender, smtp_username, smtp_password, smtp_starttls:
            the mail relay and the sender address.
        tick_seconds: how often dated reminders, digests and contact data are looked at.
        concurrency: deliveries in flight at once.
        lease_seconds: how long a claimed delivery is left to its sender before another
            attempt may take it (a crash between send and record).
        retry_base_seconds, retry_max_attempts: exponential back-off of failed sends.
        webhook_timeout: seconds for one webhook or DingTalk request.
    """

    model_config = SettingsConfigDict(
        env_prefix="YANPEI_NOTIFY_", env_ignore_empty=True, extra="ignore"
    )

    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_sender: str = "yanpei@localhost"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    message_id_domain: str = "yanpei.invalid"
    tick_seconds: float = 60.0
    concurrency: int = 32
    lease_seconds: float = 120.0
    retry_base_seconds: float = 30.0
    retry_max_attempts: int = 6
    webhook_timeout: float = 10.0
    idle_seconds: float = 0.5

    @property
    def smtp(self) -> SmtpSettings:
        return SmtpSettings(
            host=self.smtp_host,
            port=self.smtp_port,
            sender=self.smtp_sender,
            username=self.smtp_username,
            password=self.smtp_password,
            start_tls=self.smtp_starttls,
            domain=self.message_id_domain,
        )

    @property
    def retry(self) -> RetryPolicy:
        return RetryPolicy(
            max_attempts=self.retry_max_attempts, base_seconds=self.retry_base_seconds
        )
