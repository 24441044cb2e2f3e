from lawdesk.cli import main

main()
