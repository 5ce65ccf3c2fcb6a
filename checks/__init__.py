"""Everything that looks at the machine, the line or the provider's claim. No Qt here, ever."""
