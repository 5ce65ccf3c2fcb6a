"""The five steps, one module each."""
