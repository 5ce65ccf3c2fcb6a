"""The command-line front end: the commands (cli.commands) and the command sets beside them
(cli.journal: `clearline journal ...`). Beside the window (gui/), above the application layer
(app/); main.py hands them every command line but the bare one."""
