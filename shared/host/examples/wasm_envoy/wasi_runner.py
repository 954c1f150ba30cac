"""Cargo runner for wasm32-wasip1 test binaries (`cargo test --target wasm32-wasip1`).

Runs the pure-logic unit tests of the proxy-wasm host. Needs the `wasmtime` Python package.
Usage, via cargo:
  CARGO_TARGET_WASM32_WASIP1_RUNNER="python3 shared/host/examples/wasm_envoy/wasi_runner.py"
"""
import sys

import wasmtime


def main() -> int:
    path = sys.argv[1]
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    wasi = wasmtime.WasiConfig()
    wasi.argv = [path] + sys.argv[2:]
    wasi.inherit_stdout()
    wasi.inherit_stderr()
    wasi.inherit_env()
    store.set_wasi(wasi)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    module = wasmtime.Module.from_file(engine, path)
    # The proxy-wasm host functions (`env.proxy_*`) exist only inside Envoy; unit tests
    # never call them, so they are linked as traps.
    linker.define_unknown_imports_as_traps(module)
    instance = linker.instantiate(store, module)
    try:
        instance.exports(store)["_start"](store)
    except wasmtime.ExitTrap as exit_trap:
        return exit_trap.code
    return 0


sys.exit(main())
