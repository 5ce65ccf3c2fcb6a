"""Run every benchmark in bench/ and print its figures."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
for script in sorted(HERE.glob("*.py")):
    if script.name in ("run_all.py", "__init__.py"):
        continue
    print(f"== {script.name}", flush=True)
    subprocess.run([sys.executable, str(script)], check=False)
    print(flush=True)
