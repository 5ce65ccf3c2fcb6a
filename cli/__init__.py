"""The command-line front end's command sets (cli.journal: `clearline journal ...`). Beside the
window (gui/), above the application layer (app/); main.py wires them in."""
