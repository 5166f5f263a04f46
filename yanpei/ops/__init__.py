"""Operations: NATS configuration, counties, agencies, backups, overlays."""
