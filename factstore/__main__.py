from factstore.cli import main

main()
