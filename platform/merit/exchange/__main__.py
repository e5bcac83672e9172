"""``python -m merit.exchange``: run the exchange service (the hub starts it)."""

from merit.exchange.service import main

main()
