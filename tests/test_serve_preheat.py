"""``merit serve --kernel-siap N``: the preheated pool is refilled after the visitor's page has loaded.

Voila refills a pool 1 s after a kernel is taken; the refill kernel then competes with the
browser for the CPU (benchmarks/dashboards.py). The delay is a traitlet of the class
Voila builds at start-up: a renamed class or trait would make the setting a silent no-op.
"""

from __future__ import annotations

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from voila.app import Voila
from voila.voila_kernel_manager import voila_kernel_manager_factory

from merit.serve.app import REFILL_DELAY_S, voila_arguments


def parsed(kernels: int) -> Voila:
    app = Voila()
    app.parse_command_line(voila_arguments("127.0.0.1", 8866, kernels))
    return app


def test_preheated_pool_waits_before_refilling() -> None:
    manager = voila_kernel_manager_factory(AsyncMappingKernelManager, True, 1)
    assert manager.__name__ == "VoilaKernelManager"
    trait = manager.class_traits()["fill_delay"]
    app = parsed(2)
    assert app.config.VoilaConfiguration.preheat_kernel is True
    assert app.config.VoilaConfiguration.default_pool_size == 2
    # the command line holds it as text until the manager reads its config, through this trait
    assert trait.from_string(str(app.config.VoilaKernelManager.fill_delay)) == REFILL_DELAY_S > trait.default_value


def test_no_pool_without_kernel_siap() -> None:
    app = parsed(0)
    assert "preheat_kernel" not in app.config.VoilaConfiguration
    assert "VoilaKernelManager" not in app.config
