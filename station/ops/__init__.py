"""Running Station in production: health, metrics, ``station doctor`` and backups."""
