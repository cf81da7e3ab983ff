"""One module per page: a filter state in, plain data out (panels, cards, sentences), without Dash."""
