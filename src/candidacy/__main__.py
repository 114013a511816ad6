from candidacy.cli import main

main(prog_name="python -m candidacy")
