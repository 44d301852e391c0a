"""One pure parser per format: bytes and the venue zone in, a ParseResult out."""
