from merit.feedback.service import main

main()
