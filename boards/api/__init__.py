"""The boards API: bodies, seats, meetings (agenda, attendance, documents), minutes, actions,
recommendations to CNAD, the supply-chain risk register and the industrial capacity view."""
