"""Start-up hooks of the embedded emulator."""

import logging
import os
import shutil
import threading
import time

from localstack.runtime import hooks

LOG = logging.getLogger(__name__)


def _owner_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@hooks.on_infra_start()
def owner_watchdog():
    """Exit when the process that started the emulator is gone, so an interrupted run leaves no orphan."""
    owner = int(os.environ.get("CARTMON_OWNER_PID", "0") or 0)
    if owner <= 0:
        return

    def watch():
        while _owner_alive(owner):
            time.sleep(1)
        LOG.warning("owner process %s is gone: stopping the emulator", owner)
        shutil.rmtree(os.environ.get("CARTMON_STATE_DIR", ""), ignore_errors=True)
        os._exit(0)

    threading.Thread(target=watch, name="cartmon-owner-watchdog", daemon=True).start()


@hooks.on_infra_start()
def firehose_patches():
    """Firehose's S3 prefixes and server-side encryption (``firehose``), before the service first loads."""
    from cartmon_emulator import firehose

    firehose.install()


@hooks.on_infra_start()
def delivery_routes():
    """``/_cartmon/deliveries``: invocations accepted but not run here (``deliveries``), for the harness."""
    from cartmon_emulator import deliveries

    deliveries.install_routes()


@hooks.on_infra_start()
def apigateway_patches():
    """Gateway responses with the headers their responseParameters map (``apigateway``)."""
    from cartmon_emulator import apigateway

    apigateway.install()


@hooks.on_infra_start()
def runtime_routes():
    """``/_cartmon/runtimes``: function runtimes a harness serves, for synchronous invocations (``runtimes``)."""
    from cartmon_emulator import runtimes

    runtimes.install_routes()
