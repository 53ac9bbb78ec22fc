"""The Defence Industrial Production Board, its working groups and the supply-chain risk register."""
