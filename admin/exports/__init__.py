"""Workshop exports: cards and strips PDFs, XLSX and CSV, built from a `Deck`."""
