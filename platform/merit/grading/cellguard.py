"""Test cells run as written, and the grader learns whether they passed from the test itself.

In nbgrader a test cell runs in the same kernel as the learner's code, and it passes when
its outputs hold no error. Learner code that ran earlier can change how the next cell runs
or how its failure shows: replace ``run_cell``, add input or AST transformers that drop the
asserts, hide the traceback and mark the result a success, rebind builtins the test uses,
or patch ipykernel's message sending. Each of these gives full points for a wrong answer
in stock nbgrader.

Merit owns its kernels, so the guard is in the kernel before any learner code:

* **An audit hook** (:func:`install`, in the zygote before it forks), which Python never
  removes. Its state lives only in the hook's closure; the ways to reach it from Python are
  vetoed in grading kernels (``gc.get_objects``/``get_referrers``/``get_referents``, trace
  and profile functions, another audit hook, other threads' frames, a traceback's frame of
  the hook, ctypes' memory access, loading a library by path, rewriting a function the
  zygote loaded).
* **Pristine machinery before each test cell.** When the kernel first compiles a test cell's
  text (before any event callback or code of that cell runs), the hook puts back what
  decides how a cell runs and how its failure shows, as the kernel had it before the first
  cell: ``sys`` hooks and streams, the builtins, the shell's and kernel's
  methods and handlers, transformers, event callbacks, custom exception handlers, and
  every function of the modules the zygote loaded (IPython, ipykernel, jupyter_client,
  zmq, asyncio and the standard library). Names in the learner's namespace that hide a
  builtin are set aside while the test runs and put back after it.
* **A sentinel only the grader can check.** The grader sends each kernel a key and a
  random number per test cell (in the connection file, read and removed before any
  learner code runs). The kernel's AST transformer runs a test cell's statements as one
  block that ends by calling the hook. The hook counts that call only when it comes from
  code identical to its own compilation of the test as released, run in the learner's real
  namespace with the real builtins, and only if nothing but the zygote's own code was
  running, in any thread, when the test was first compiled; it then appends ``number HMAC(key, number)`` to a file
  the grader reads. A test cell without that line did not run to its end as written, and
  scores zero whatever its outputs show.

What a learner can still do is listed in docs/grading.md ("Test cells run as written").
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable, Iterator
from typing import Any

READY = "merit.cellguard.ready"
TRANSFORM = "merit.cellguard.transform"
DONE = "merit.cellguard.done"
LEARNER_VAR = "MERIT_PESERTA"  # who is graded, for merit_widgets.store.identitas_peserta
GUARD_FIELD = "merit_guard"  # the connection file's field the grader writes and the kernel removes
IMMUTABLE_TYPE = 1 << 8  # Py_TPFLAGS_IMMUTABLETYPE: built-in and extension types nobody can change


def attestation_path(connection_file: str) -> str:
    """Where the kernel writes a line per test cell that ran to its end."""
    return connection_file + ".uji"


def attestation(key: str, nonce: str) -> str:
    import hashlib
    import hmac

    return hmac.new(key.encode(), nonce.encode(), hashlib.sha256).hexdigest()


def wrap_test(module: ast.Module) -> None:
    """One block for the whole cell, ending with the sentinel; the value of a last bare
    expression is shown through ``sys.displayhook``, as IPython shows it.

    IPython compiles and runs each top-level statement on its own, so a sentinel at the
    end of the cell would run even when learner code made an earlier statement's failure
    vanish between two of them; inside one block, the sentinel runs only if every
    statement before it did.
    """
    body = list(module.body)
    if not body:
        return
    if isinstance(body[-1], ast.Expr):
        last = body[-1]
        shown = ast.Call(_sys_attr("displayhook"), [last.value], [])
        body[-1] = ast.copy_location(ast.Expr(shown), last)
    sentinel = ast.Expr(ast.Call(_sys_attr("audit"), [ast.Constant(DONE)], []))
    body.append(ast.copy_location(sentinel, body[-1]))
    block = ast.copy_location(ast.If(test=ast.Constant(True), body=body, orelse=[]), body[0])
    module.body = [block]
    ast.fix_missing_locations(module)


def _sys_attr(name: str) -> ast.expr:
    importing = ast.Call(ast.Name("__import__", ast.Load()), [ast.Constant("sys")], [])
    return ast.Attribute(importing, name, ast.Load())


class SentinelTransformer(ast.NodeTransformer):
    """The shell's AST transformer: hands each cell's tree to the hook, which wraps a test
    cell's tree (:func:`wrap_test`) and leaves every other cell alone."""

    def visit(self, node: ast.AST) -> ast.AST:
        sys.audit(TRANSFORM, node)
        return node


def install() -> None:  # noqa: C901, PLR0915 - one closure on purpose: its state must stay unreachable
    """Add the guard's audit hook; in the zygote, once, before any fork and any learner code.

    Everything the hook uses is bound here, in its closure, when nothing has been
    tampered with yet: a global or builtin looked up later could be the learner's.
    """
    import builtins
    import functools
    import gc
    import hashlib
    import hmac
    import itertools
    import json
    import operator
    import os
    import signal
    import sys as sys_mod
    import threading
    import types

    from ipykernel import compiler as kernel_compiler

    b_compile, b_len, b_type, b_id, b_issubclass, b_bytes = compile, len, type, id, issubclass, bytes
    b_list, b_dict, b_isinstance, b_getattr = list, dict, isinstance, getattr
    b_str, b_type_type, b_zip, b_setattr, b_perm, b_any, b_all = str, type, zip, setattr, PermissionError, any, all
    type_setattr, type_delattr = type.__setattr__, type.__delattr__
    module_cls, sentinel_cls, guard_field, path_of = ast.Module, SentinelTransformer, GUARD_FIELD, attestation_path
    ev_ready, ev_transform, ev_done = READY, TRANSFORM, DONE
    sig_block, sig_setmask = signal.SIG_BLOCK, signal.SIG_SETMASK
    open_flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
    module_type, code_type, function_type = types.ModuleType, types.CodeType, types.FunctionType
    funclike = (
        types.FunctionType,
        types.BuiltinFunctionType,
        types.MethodType,
        types.MethodDescriptorType,
        types.WrapperDescriptorType,
        types.MethodWrapperType,
        types.ClassMethodDescriptorType,
        functools.partial,
        classmethod,
        staticmethod,
        property,
    )
    getframe, current_frames, main_thread = sys._getframe, sys._current_frames, threading.main_thread
    setrecursionlimit, setswitchinterval = sys.setrecursionlimit, sys.setswitchinterval
    getrecursionlimit, getswitchinterval = sys.getrecursionlimit, sys.getswitchinterval
    sigmask, all_signals = signal.pthread_sigmask, signal.valid_signals()
    os_write, os_open = os.write, os.open
    environ, environ_set, learner_var = os.environ, type(os.environ).__setitem__, LEARNER_VAR
    hmac_new, sha256, json_loads, json_dumps = hmac.new, hashlib.sha256, json.loads, json.dumps
    parse, wrap, get_file_name = ast.parse, wrap_test, kernel_compiler.get_file_name
    ast_walk, ast_name = ast.walk, ast.Name
    builtins_dict = builtins.__dict__
    b_tuple, is_not, b_map = tuple, operator.is_not, map
    sys_names = ("excepthook", "displayhook", "stdout", "stderr", "stdin", "breakpointhook", "unraisablehook")

    def is_funclike(value: Any) -> bool:
        kind = b_type(value)
        return kind in funclike or kind is module_type or b_issubclass(kind, b_type_type)

    # -- what the zygote loaded: every module's and class's functions, as they are now --------
    module_entries: list[tuple[dict[str, Any], str, Any]] = []  # a module's namespace, a name, its value
    class_entries: list[tuple[type, Any, str, Any]] = []  # a class, its namespace, a name, its value
    classes: list[tuple[type, Any, int, frozenset[str]]] = []  # a class, its namespace, its size, its names
    pristine_functions: set[int] = set()
    seen_classes: set[int] = set()
    for module in b_list(sys.modules.values()):
        namespace: Any = b_getattr(module, "__dict__", None)  # a dict, checked below
        if b_type(module) is not module_type or not b_isinstance(namespace, dict):
            continue
        kept = {k: v for k, v in namespace.items() if b_type(k) is str and is_funclike(v)}
        if module is sys:  # its hooks are the kernel's, recorded when it is ready (sys_names)
            kept = {k: v for k, v in kept.items() if k not in sys_names}
        for name, value in kept.items():
            module_entries.append((namespace, name, value))
        for value in kept.values():
            if b_type(value) is function_type:
                pristine_functions.add(b_id(value))
            mutable = b_issubclass(b_type(value), type) and not value.__flags__ & IMMUTABLE_TYPE
            if mutable and b_id(value) not in seen_classes:
                seen_classes.add(b_id(value))
                attrs = {k: v for k, v in value.__dict__.items() if b_type(k) is str and is_funclike(v)}
                proxy = value.__dict__  # a live view of the class's namespace
                classes.append((value, proxy, b_len(proxy), frozenset(attrs)))
                for name, attr in attrs.items():
                    class_entries.append((value, proxy, name, attr))
                for attr in attrs.values():
                    inner = b_getattr(attr, "__func__", attr)
                    if b_type(inner) is function_type:
                        pristine_functions.add(b_id(inner))
    # Flat columns, so that restore() compares them all by identity in one pass at C speed
    # (map, dict.get, operator.is_not, itertools.compress): no learner code runs in it.
    m_dicts, m_names, m_values = (b_tuple(column) for column in zip(*module_entries, strict=True))
    c_classes, c_proxies, c_names, c_values = (b_tuple(column) for column in zip(*class_entries, strict=True))
    k_proxies, k_sizes = b_tuple(c[1] for c in classes), b_tuple(c[2] for c in classes)
    m_range, c_range, k_range = range(b_len(m_names)), range(b_len(c_names)), range(b_len(classes))
    dict_get, proxy_get, compress, ne = dict.get, types.MappingProxyType.get, itertools.compress, operator.ne
    trusted_codes: set[int] = set()  # every function's code the zygote has, and the frames running now
    pending = [f.__code__ for f in gc.get_objects() if b_type(f) is function_type]
    frame: Any = sys._getframe()
    while frame is not None:
        pending.append(frame.f_code)
        frame = frame.f_back
    while pending:
        code = pending.pop()
        if b_id(code) not in trusted_codes:
            trusted_codes.add(b_id(code))
            pending.extend(c for c in code.co_consts if b_type(c) is code_type)
    loaded = {name: module for name, module in sys.modules.items() if b_type(module) is module_type}
    builtins_snapshot = b_dict(builtins_dict)
    threading_hooks = (threading._trace_hook, threading._profile_hook)  # type: ignore[attr-defined]

    # -- per kernel, filled at READY ----------------------------------------------------------
    state: dict[str, Any] = {"armed": False, "current": None, "depth": 0}
    tests: dict[str, list[dict[str, Any]]] = {}  # cell file name -> tests with that text
    objects: list[tuple[Any, dict[str, Any], dict[str, Any], tuple[str, ...], tuple[Any, ...]]] = []
    shell_parts: dict[str, Any] = {}
    stash: dict[str, Any] = {}
    setups: dict[str, dict[str, Any]] = {}  # the trainer's locked code cells: file -> code, names bound
    trainer: dict[str, Any] = {}  # what those cells bound, as they left it
    placed: dict[str, tuple[Any, Any]] = {}  # name -> (the learner's value or none, the trainer's)
    texts: dict[bytes, str] = {}  # a test's text, as IPython transforms it -> its cell file name
    runs: dict[str, bool] = {}  # test cell file -> whether this run of it started clean (so far)
    clean: dict[str, bool] = {}  # test cell file -> whether its code, now running, started clean
    own_codes: set[int] = set()
    components: list[tuple[dict[str, Any], str, Any]] = []
    lists: list[tuple[dict[str, Any], str, list[Any], list[Any]]] = []  # transformer lists and their items
    settings: list[tuple[dict[str, Any], dict[str, Any], list[tuple[dict[Any, Any], dict[Any, Any]]]]] = []

    def ready(connection_file: str, app: Any) -> None:
        """In a new kernel, after ipykernel set itself up, before the first cell."""
        with open(connection_file, encoding="utf-8") as handle:
            info = json_loads(handle.read())
        plan = info.pop(guard_field, None)
        if plan is not None:
            with open(connection_file, "w", encoding="utf-8") as handle:
                handle.write(json_dumps(info, indent=2))
        shell = app.shell
        kernel = app.kernel
        shell.ast_transformers.append(sentinel_cls())
        if plan is not None:
            state["key"] = plan["key"].encode()
            if plan.get("peserta"):  # who is graded, before any learner code: see restore_learner
                state["peserta"] = b_str(plan["peserta"])
                restore_learner()
            state["fd"] = os_open(path_of(connection_file), open_flags, 0o600)
            for test in plan["tests"]:
                filename = get_file_name(test["source"])
                text = shell.transform_cell(test["source"])
                texts[text.encode()] = filename
                tests.setdefault(filename, []).append(
                    {"nonce": test["nonce"], "code": released_code(text, filename), "uses": names_in(text, False)}
                )
            for source in plan.get("setup", []):
                filename = get_file_name(source)
                text = shell.transform_cell(source)
                setups[filename] = {"code": released_code(text, filename), "names": names_in(text, True)}
        state["main"] = main_thread().ident
        state["shell"], state["user_ns"] = shell, shell.user_ns
        state["user_ns_builtins"] = shell.user_ns.get("__builtins__")
        state["custom_exceptions"] = shell.custom_exceptions
        state["trap_hook"] = shell.display_trap.hook
        state["sys"] = {name: b_getattr(sys, name, None) for name in sys_names}
        state["limits"] = (getrecursionlimit(), getswitchinterval())
        state["user_names"] = {k: v for k, v in shell.user_ns.items() if k in builtins_snapshot}
        manager = shell.input_transformer_manager
        for owner, name in (
            (shell._trait_values, "input_transformers_post"),
            (shell._trait_values, "ast_transformers"),
            (manager.__dict__, "cleanup_transforms"),
            (manager.__dict__, "line_transforms"),
            (manager.__dict__, "token_transformers"),
        ):
            if b_isinstance(owner.get(name), b_list):
                lists.append((owner, name, owner[name], b_list(owner[name])))
        shell_parts["callbacks"] = {event: (funcs, b_list(funcs)) for event, funcs in shell.events.callbacks.items()}
        shell_parts["traits"] = {
            name: shell._trait_values.get(name, shell._trait_values)  # itself: not set, the default applies
            for name in ("ast_node_interactivity", "autocall", "autoawait", "loop_runner", "xmode", "colors")
        }
        shell_parts["handlers"] = [(table, b_dict(table)) for table in (kernel.shell_handlers, kernel.control_handlers)]
        # How a value shows (a partial-credit cell's score is the text of its result): every
        # formatter's settings and printer tables, as they are now.
        formatters = [shell.display_formatter, *shell.display_formatter.formatters.values()]
        for formatter in formatters:
            values = formatter._trait_values
            tables = [(v, b_dict(v)) for v in values.values() if b_type(v) is b_dict]
            settings.append((values, b_dict(values), tables))
        shell_parts["formatters"] = (shell.display_formatter.formatters, b_dict(shell.display_formatter.formatters))
        others = [
            shell,
            kernel,
            kernel.session,
            shell.displayhook,
            shell.display_pub,
            shell.compile,
            shell.input_transformer_manager,
            shell.events,
            shell.InteractiveTB,
            shell.SyntaxTB,
            shell.builtin_trap,
            shell.display_trap,
            shell.display_formatter,
            *shell.display_formatter.formatters.values(),
            shell.history_manager,
            b_getattr(kernel, "iopub_socket", None),
            b_getattr(kernel, "iopub_thread", None),
            *state["sys"].values(),
        ]
        for obj in others:
            namespace: Any = b_getattr(obj, "__dict__", None)
            if b_isinstance(namespace, dict):
                kept = b_dict(namespace)
                objects.append((obj, namespace, kept, b_tuple(kept), b_tuple(kept.values())))
        parts = {b_id(obj) for obj in others}
        for obj in (shell, kernel):  # the shell's and kernel's parts: the display hook, the session...
            for name, value in obj.__dict__.items():
                if b_id(value) in parts:
                    components.append((obj.__dict__, name, value))
        state["armed"] = True

    def restore_learner() -> None:
        """``MERIT_PESERTA`` names the student graded, as the grader said: per-learner
        variants (merit_widgets.varian) are recomputed from it, so learner code that set
        it to a neighbour's id has it put back before a test runs."""
        if "peserta" not in state:
            return
        if os.__dict__.get("environ") is not environ:
            os.__dict__["environ"] = environ
        if environ.get(learner_var) != state["peserta"]:
            environ_set(environ, learner_var, state["peserta"])

    def restore_values() -> None:
        """What a cell may change that a test relies on: sys's hooks and streams, the
        builtins, the learner namespace's builtins and names hiding one, who is graded."""
        restore_learner()
        for name, value in state["sys"].items():
            if b_getattr(sys_mod, name, None) is not value:
                b_setattr(sys_mod, name, value)
        if (getrecursionlimit(), getswitchinterval()) != state["limits"]:
            setrecursionlimit(state["limits"][0])
            setswitchinterval(state["limits"][1])
        threading._trace_hook, threading._profile_hook = threading_hooks  # type: ignore[attr-defined]
        for name, value in builtins_snapshot.items():
            if builtins_dict.get(name, builtins_dict) is not value:
                builtins_dict[name] = value
        user_ns = state["user_ns"]
        user_ns["__builtins__"] = state["user_ns_builtins"]
        for name in builtins_snapshot:  # names that hide a builtin, set aside while the test runs
            if name in user_ns and name != "__builtins__":
                expected = state["user_names"].get(name, builtins_snapshot[name])
                if user_ns[name] is not expected:
                    stash[name] = user_ns.pop(name)
                    if name in state["user_names"]:
                        user_ns[name] = expected

    def restore() -> None:
        """Put back the machinery, as it was at READY, before a test cell runs."""
        restore_values()
        for name, module in loaded.items():
            if sys_mod.modules.get(name) is not module:
                sys_mod.modules[name] = module
        for i in b_list(compress(m_range, b_map(is_not, b_map(dict_get, m_dicts, m_names), m_values))):
            m_dicts[i][m_names[i]] = m_values[i]
        for i in b_list(compress(c_range, b_map(is_not, b_map(proxy_get, c_proxies, c_names), c_values))):
            type_setattr(c_classes[i], c_names[i], c_values[i])
        for i in b_list(compress(k_range, b_map(ne, b_map(b_len, k_proxies), k_sizes))):
            cls, current, _size, known = classes[i]  # added methods that hide an inherited one
            for name in [k for k in current if b_type(k) is b_str and k not in known]:
                if is_funclike(current[name]) and not b_issubclass(b_type(current[name]), b_type_type):
                    type_delattr(cls, name)
        for obj, namespace, kept, names, values in objects:
            if b_getattr(obj, "__dict__", None) is not namespace:
                continue
            if b_len(namespace) == b_len(kept) and not b_any(b_map(is_not, b_map(namespace.get, names), values)):
                continue
            for name in [k for k in namespace if b_type(k) is b_str]:
                value = namespace[name]
                if name in kept:
                    if value is not kept[name] and (is_funclike(value) or is_funclike(kept[name])):
                        namespace[name] = kept[name]
                elif is_funclike(value) and on_class(obj, name):
                    del namespace[name]  # a method set on the instance, hiding the class's
            for name, value in kept.items():
                if name not in namespace and is_funclike(value):
                    namespace[name] = value
        for namespace, name, value in components:
            if namespace.get(name, namespace) is not value:
                namespace[name] = value
        shell = state["shell"]
        for owner, name, original, items in lists:
            original[:] = items
            owner[name] = original
        for name, value in shell_parts["traits"].items():
            if value is shell._trait_values:
                shell._trait_values.pop(name, None)
            else:
                shell._trait_values[name] = value
        for event, (funcs, items) in shell_parts["callbacks"].items():
            funcs[:] = items
            shell.events.callbacks[event] = funcs
        for table, items in shell_parts["handlers"]:
            table.clear()
            table.update(items)
        formatters, kept_formatters = shell_parts["formatters"]
        formatters.clear()
        formatters.update(kept_formatters)
        for traits, kept_traits, tables in settings:
            traits.clear()
            traits.update(kept_traits)
            for printers, kept_printers in tables:
                printers.clear()
                printers.update(kept_printers)
        shell.__dict__["custom_exceptions"] = state["custom_exceptions"]  # set_custom_exc's, undone

    def trusted(frame: Any) -> bool:
        while frame is not None:
            if b_id(frame.f_code) not in trusted_codes:
                return False
            frame = frame.f_back
        return True

    def starting(filename: str) -> None:
        """A test cell is on its way (the kernel compiles its text, before any event callback
        or its code runs): only the kernel's own code may be running, in any thread, and the
        machinery goes back to how it was. The first such moment of a run decides."""
        ok = trusted(getframe(4)) and b_all(
            trusted(frame) for ident, frame in current_frames().items() if ident != state["main"]
        )
        if filename in runs:  # the text's first compile restored already; the file's is next
            runs[filename] = runs[filename] and ok
        else:
            runs[filename] = ok
            restore()
            place_trainer_names(filename)

    def started(filename: str) -> None:
        """The test's code starts: after a clean start only the kernel's own code has run
        since the restore, so only what it changes while a cell runs is set again."""
        began_clean = runs.pop(filename, False)
        clean[filename] = began_clean and trusted(getframe(4))
        if began_clean:
            restore_values()
        else:
            restore()
        place_trainer_names(filename)
        sys_mod.displayhook = state["trap_hook"]  # as IPython's display trap has it while a cell runs

    def on_class(obj: Any, name: str) -> bool:
        return b_any(name in klass.__dict__ for klass in b_type(obj).__mro__)

    def unstash() -> None:
        user_ns = state["user_ns"]
        for name, value in stash.items():
            if user_ns.get(name, user_ns) is state["user_names"].get(name, user_ns):
                user_ns[name] = value
        stash.clear()
        for name, (learners, trainers) in placed.items():
            if user_ns.get(name, user_ns) is trainers:
                if learners is placed:
                    del user_ns[name]
                else:
                    user_ns[name] = learners
        placed.clear()

    def place_trainer_names(filename: str) -> None:
        """The names the test uses that the trainer's locked cells bound hold the trainer's
        values while the test runs (a learner's ``nilai = ...`` is put back after it)."""
        user_ns = state["user_ns"]
        for name in tests[filename][0]["uses"]:
            if name in trainer and user_ns.get(name, user_ns) is not trainer[name]:
                if name not in placed:
                    placed[name] = (user_ns.get(name, placed), trainer[name])
                user_ns[name] = trainer[name]

    def names_in(text: str, bound: bool) -> frozenset[str]:
        """The names a cell's top level binds (``bound``), or every name it reads."""
        try:
            module = parse(text)
        except SyntaxError:
            return frozenset()
        walk: Callable[[ast.AST], Iterator[Any]] = ast_walk  # nodes narrowed by exact type, not isinstance
        if not bound:
            return frozenset(n.id for n in walk(module) if b_type(n) is ast_name)
        names: set[str] = set()
        body: list[Any] = module.body
        for node in body:
            if b_type(node) in (ast.Import, ast.ImportFrom):
                names.update((a.asname or a.name).split(".")[0] for a in node.names)
            elif b_type(node) in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
                names.add(node.name)
            elif b_type(node) in (ast.Assign, ast.AnnAssign, ast.AugAssign):
                targets = node.targets if b_type(node) is ast.Assign else [node.target]
                names.update(t.id for target in targets for t in walk(target) if b_type(t) is ast_name)
        return frozenset(names)

    def setup_done(frame: Any, entry: dict[str, Any]) -> None:
        if entry["code"] is not None and same_code(frame.f_code, entry["code"]):
            user_ns = state["user_ns"]
            for name in entry["names"]:
                if name in user_ns:
                    trainer[name] = user_ns[name]

    def released_code(text: str, filename: str) -> Any:
        """The test as released, compiled the way the kernel's transformer makes it run."""
        try:
            module = parse(text)
        except SyntaxError:
            return None  # it fails in the kernel too, with the error stock shows
        wrap(module)
        return b_compile(module, filename, "exec", 0, True)

    def same_code(a: Any, b: Any) -> bool:
        if a.co_code != b.co_code or a.co_names != b.co_names or b_len(a.co_consts) != b_len(b.co_consts):
            return False
        for x, y in b_zip(a.co_consts, b.co_consts, strict=True):
            if b_type(x) is code_type:
                if b_type(y) is not code_type or not same_code(x, y):
                    return False
            elif b_type(x) is not b_type(y) or x != y:
                return False
        return True

    def done() -> None:
        """The sentinel: count it only from the test's own code, in the real namespace."""
        frame = getframe(4)  # 0: here, 1: guarded, 2: on_done, 3: the hook, 4: whoever called sys.audit
        code = frame.f_code
        if frame.f_globals is not state["user_ns"] or frame.f_builtins is not builtins_dict:
            return
        if code.co_filename in setups:
            setup_done(frame, setups[code.co_filename])
            return
        entries = tests.get(code.co_filename)
        if not entries or not clean.get(code.co_filename):
            return
        for entry in entries:
            if entry["code"] is not None and same_code(code, entry["code"]):
                line = f"{entry['nonce']} {hmac_new(state['key'], entry['nonce'].encode(), sha256).hexdigest()}\n"
                os_write(state["fd"], line.encode())
                return

    vetoed_always = {
        "sys.settrace",
        "sys.setprofile",
        "sys.addaudithook",
        "sys._current_frames",
        "gc.get_objects",
        "gc.get_referrers",
        "gc.get_referents",
        "ctypes.cdata",
        "ctypes.cdata/buffer",
        "ctypes.string_at",
        "ctypes.wstring_at",
        "ctypes.PyObj_FromPtr",
        "ctypes.call_function",
        "ctypes.dlsym",
        "ctypes.dlsym/handle",
    }

    def on_exec(args: tuple[Any, ...]) -> None:
        if state["armed"] and b_type(args[0]) is code_type:
            if args[0].co_filename in tests:
                guarded(started, args[0].co_filename)
            elif stash or placed:
                guarded(unstash)

    def on_compile(args: tuple[Any, ...]) -> None:
        if not state["armed"] or b_len(args) < 2:
            return
        source, filename = args[0], args[1]
        if b_type(filename) is b_str and filename in setups:
            state["current"] = filename  # wrapped too: its end records what it bound
            return
        test = filename if b_type(filename) is b_str and filename in tests else None
        if test is None and b_type(source) is b_bytes and source in texts:  # compile() audits UTF-8
            test = texts[source]
        if test is not None:
            guarded(starting, test)
        state["current"] = filename if test == filename else None

    def on_ready(args: tuple[Any, ...]) -> None:
        if not state["armed"] and b_len(args) == 2:
            guarded(ready, *args)

    def on_transform(args: tuple[Any, ...]) -> None:
        if state["current"] is not None and b_type(args[0]) is module_cls:
            guarded(wrap, args[0])

    def on_done(args: tuple[Any, ...]) -> None:
        if state["armed"]:
            guarded(done)

    def refuse(args: tuple[Any, ...]) -> None:
        if state["armed"]:
            raise b_perm("operasi ini tidak diizinkan saat penilaian otomatis")

    def on_dlopen(args: tuple[Any, ...]) -> None:
        if state["armed"] and b_type(args[0]) is b_str and "/" in args[0]:
            raise b_perm("memuat pustaka dari berkas tidak diizinkan saat penilaian otomatis")

    def on_setattr(args: tuple[Any, ...]) -> None:
        if state["armed"] and b_type(args[0]) is function_type:
            state["depth"] += 1
            try:
                pristine = b_id(args[0]) in pristine_functions
            finally:
                state["depth"] -= 1
            if pristine:
                raise b_perm("mengubah fungsi sistem tidak diizinkan saat penilaian otomatis")

    def on_getattr(args: tuple[Any, ...]) -> None:
        if state["armed"] and b_len(args) > 1 and args[1] == "tb_frame":
            state["depth"] += 1
            try:
                hidden = b_id(args[0].tb_frame.f_code) in own_codes
            finally:
                state["depth"] -= 1
            if hidden:
                raise b_perm("bingkai penjaga penilaian tidak dapat dibaca")

    handlers = {
        "exec": on_exec,
        "compile": on_compile,
        ev_ready: on_ready,
        ev_transform: on_transform,
        ev_done: on_done,
        "ctypes.dlopen": on_dlopen,
        "object.__setattr__": on_setattr,
        "object.__delattr__": on_setattr,
        "object.__getattr__": on_getattr,
        **dict.fromkeys(vetoed_always, refuse),
    }
    get_handler = handlers.get

    def hook(event: str, args: tuple[Any, ...]) -> None:
        """Most audited events (``builtins.id`` alone, hundreds of thousands when a library
        builds a parser) are none of the guard's: one dictionary lookup and out."""
        handler = get_handler(event)
        if handler is not None and not state["depth"]:
            handler(args)

    def guarded(function: Any, *args: Any) -> None:
        """Run the hook's work with signals held (a signal handler receives the running
        frame, which would be the hook's) and without auditing itself."""
        previous = sigmask(sig_block, all_signals)
        state["depth"] += 1
        try:
            function(*args)
        finally:
            state["depth"] -= 1
            sigmask(sig_setmask, previous)

    for function in (
        hook,
        guarded,
        ready,
        restore,
        unstash,
        on_class,
        trusted,
        starting,
        started,
        released_code,
        same_code,
        done,
        is_funclike,
    ):
        own_codes.add(b_id(function.__code__))
        pristine_functions.add(b_id(function))
    sys.addaudithook(hook)
