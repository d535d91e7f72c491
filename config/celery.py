"""The Celery application; brokers and worker options come from Django settings (CELERY_*)."""

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("analysis_registry")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def filesystem_broker_options(folder: Path) -> dict:
    """Transport options of the server-less filesystem broker kept in ``folder`` (made here)."""
    for sub in ("out", "processed", "control"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(folder / "out"),
        "data_folder_out": str(folder / "out"),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }


@app.on_after_configure.connect
def configure_filesystem_broker(sender: Celery, **kwargs) -> None:
    """Give the server-less filesystem broker its folders under var/ when it is the one in use."""
    from django.conf import settings

    if str(settings.CELERY_BROKER_URL).startswith("filesystem://"):
        sender.conf.broker_transport_options = filesystem_broker_options(
            Path(settings.CELERY_BROKER_FOLDER)
        )
