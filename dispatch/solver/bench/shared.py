"""The team's shared folder (spec, tools, instances) and the independent plan checker."""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[2]


def shared_dir() -> Path:
    """`$WENQING_SHARED`, else `<repo>/../shared`, else /work/shared."""
    candidates = [os.environ.get("WENQING_SHARED"), REPO.parent / "shared", "/work/shared"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "tools" / "verify_plan.py").exists():
            return Path(candidate)
    raise FileNotFoundError("shared folder not found: set WENQING_SHARED")


def _tool(name: str) -> ModuleType:
    path = shared_dir() / "tools" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"shared_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def solomon_problem(instance: Path) -> dict:
    """A Solomon instance as a problem document, by the shared converter."""
    return _tool("solomon_to_problem").parse(instance.read_text())


def vrplib_problem(instance: Path) -> dict:
    """A VRPLIB instance (Gehring & Homberger) as a problem document, by the shared converter."""
    return _tool("vrplib_to_problem").parse(instance.read_text())


def verify(problem: dict, plan: dict) -> dict:
    """Run verify_plan.py on the two documents in a subprocess; its JSON verdict."""
    with tempfile.TemporaryDirectory() as tmp:
        prob_path, plan_path = Path(tmp, "problem.json"), Path(tmp, "plan.json")
        prob_path.write_text(json.dumps(problem))
        plan_path.write_text(json.dumps(plan))
        out = subprocess.run(
            [sys.executable, str(shared_dir() / "tools" / "verify_plan.py"), str(prob_path), str(plan_path),
             "--json"],
            capture_output=True, text=True, check=False)
    try:
        return json.loads(out.stdout)
    except ValueError:
        return {"ok": False, "violations": [out.stdout + out.stderr]}
