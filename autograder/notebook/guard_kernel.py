# This file is not imported by the grader: its text is sent to each grading kernel and run there
# once, before the first cell. It must only use the standard library. See guard.py for why.
import builtins as _builtins
import importlib as _importlib
import importlib.abc as _abc
import sys as _sys
import types as _types

_MISSING = object()


def _same(a, b):
    """Identity, except that two bound methods of one function on one object count as the same
    (IPython and ipykernel re-bind `input`, `get_ipython`, excepthooks on every request). No
    `==`: a student's object could claim equality with anything."""
    if a is b:
        return True
    return (type(a) is _types.MethodType and type(b) is _types.MethodType
            and a.__func__ is b.__func__ and a.__self__ is b.__self__)


def _install(protected, trusted_imports):
    ip = get_ipython()  # noqa: F821 (IPython puts it in builtins)
    state = _types.SimpleNamespace(last=None)
    pristine_builtins = dict(_builtins.__dict__)
    kernel = getattr(ip, "kernel", None)
    shell_attrs = ("run_cell", "run_cell_async", "run_code", "run_ast_nodes", "showtraceback",
                   "_showtraceback", "showsyntaxerror", "get_exception_only", "transform_cell",
                   "should_run_async", "user_expressions")
    kernel_attrs = ("do_execute", "execute_request", "send_response", "_publish_execute_input")
    session = getattr(kernel, "session", None)
    # (object, attribute) -> (class-level value, instance-level value or missing, effective value)
    hooks = {}
    for owner, attrs in ((ip, shell_attrs), (kernel, kernel_attrs), (session, ("send",))):
        if owner is None:
            continue
        for attr in attrs:
            if hasattr(type(owner), attr):
                hooks[(owner, attr)] = (getattr(type(owner), attr), vars(owner).get(attr, _MISSING),
                                        getattr(owner, attr))
    pristine_io = {n: getattr(_sys, n) for n in ("stdout", "stderr", "displayhook", "excepthook")}
    pristine_custom = (ip.custom_exceptions, ip.CustomTB)
    snapshots = {}

    def fingerprint(value):
        if isinstance(value, _types.FunctionType):
            return (value, value.__code__, value.__defaults__, value.__kwdefaults__,
                    tuple(sorted(value.__dict__.items(), key=lambda kv: kv[0])))
        if isinstance(value, type):
            return (value, tuple((k, id(v)) for k, v in sorted(vars(value).items())))
        return (value,)

    def watched(module):
        # Dunders change innocently (__warningregistry__), and the import system adds submodules.
        name = module.__name__
        return {k: v for k, v in vars(module).items()
                if not (k.startswith("__") and k.endswith("__"))
                and not (isinstance(v, _types.ModuleType) and v.__name__ == f"{name}.{k}")}

    def snapshot(module):
        return module, {k: fingerprint(v) for k, v in watched(module).items()}

    def tampered(name):
        module, fingerprints = snapshots[name]
        if _sys.modules.get(name) is not module:
            return True
        current = watched(module)
        if current.keys() != fingerprints.keys():
            return True
        return any(fingerprint(current[k]) != fp for k, fp in fingerprints.items())

    class Loader(_abc.Loader):
        def __init__(self, inner):
            self.inner = inner

        def create_module(self, spec):
            return self.inner.create_module(spec)

        def exec_module(self, module):
            self.inner.exec_module(module)
            snapshots[module.__name__] = snapshot(module)

        def __getattr__(self, name):  # get_source etc., for tracebacks
            return getattr(self.inner, name)

    class Finder(_abc.MetaPathFinder):
        """Records each helper module right after it is first executed, before student code runs."""

        def find_spec(self, name, path, target=None):
            if name.partition(".")[0] not in protected:
                return None
            for finder in _sys.meta_path:
                if finder is self or not hasattr(finder, "find_spec"):
                    continue
                spec = finder.find_spec(name, path, target)
                if spec is not None:
                    if spec.loader is not None and not isinstance(spec.loader, Loader):
                        spec.loader = Loader(spec.loader)
                    return spec
            return None

    finder = Finder()
    _sys.meta_path.insert(0, finder)

    def guard(nonce):
        notes = []
        bdict = _builtins.__dict__
        for key, value in pristine_builtins.items():
            if not _same(bdict.get(key, _MISSING), value):
                bdict[key] = value
                notes.append(f"builtins.{key} was replaced")
        ns = ip.user_ns
        for key, value in pristine_builtins.items():
            if (isinstance(value, type) and issubclass(value, BaseException) and key in ns
                    and ns[key] is not value):
                del ns[key]
                notes.append(f"the name {key} was redefined")
        for (owner, attr), (cls_value, inst_value, effective) in hooks.items():
            if _same(getattr(owner, attr, _MISSING), effective):
                continue
            if getattr(type(owner), attr, _MISSING) is not cls_value:
                setattr(type(owner), attr, cls_value)
            if inst_value is _MISSING:
                vars(owner).pop(attr, None)
            else:
                vars(owner)[attr] = inst_value
            notes.append(f"{type(owner).__name__}.{attr} was replaced")
        for attr, value in pristine_io.items():
            if not _same(getattr(_sys, attr), value):
                setattr(_sys, attr, value)
                notes.append(f"sys.{attr} was replaced")
        if not (ip.custom_exceptions == pristine_custom[0] and _same(ip.CustomTB, pristine_custom[1])):
            ip.custom_exceptions, ip.CustomTB = pristine_custom
            notes.append("a custom exception handler was installed")
        if finder not in _sys.meta_path:
            _sys.meta_path.insert(0, finder)
        changed = [name for name in list(snapshots) if tampered(name)]
        if changed:
            # Fresh helpers from the read-only files: drop every helper module, then import again
            # the ones that were loaded (the Finder snapshots them anew).
            loaded = sorted(n for n in _sys.modules if n.partition(".")[0] in protected)
            for name in loaded:
                del _sys.modules[name]
            snapshots.clear()
            for name in loaded:
                try:
                    _importlib.import_module(name)
                except Exception:
                    pass
            notes.append("the course helpers were modified (" + ", ".join(sorted(changed)) + ")")
        for statement, names, module, attr in trusted_imports:
            # Only what the notebook has imported already: importing anything earlier than the
            # notebook does could change an honest run.
            loaded_module = _sys.modules.get(module)
            if loaded_module is None or (attr is not None and not hasattr(loaded_module, attr)):
                continue
            scope = {}
            try:
                exec(statement, scope)
            except Exception:
                continue  # the test cell itself will fail if it needs this name
            for name in names:
                if name not in scope:
                    continue
                current = ns.get(name, _MISSING)
                fresh = scope[name]
                if current is fresh or (current is _MISSING and not changed):
                    continue  # never bound yet (or deleted: that only costs the student)
                # Rebind after a reload, or when a helper was replaced. A learner's own *data* in
                # a variable of the same name (say `digits = digits()`) is left alone.
                if changed or callable(current) or isinstance(current, _types.ModuleType):
                    ns[name] = fresh
                    if not changed:
                        notes.append(f"the helper name {name} was rebound")
        state.last = (nonce, notes)
        return notes

    state.guard = guard
    _sys.modules["_autograder_guard"] = state
