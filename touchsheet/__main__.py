from touchsheet.cli import cli

cli(prog_name="python -m touchsheet")
