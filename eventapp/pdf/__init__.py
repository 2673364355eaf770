"""What every batch of PDFs shares (badges, certificates): worker processes, joining parts into one file as they
arrive, and rendering a long list in chunks with progress."""
