"""What a chat session leaves behind: feedback on answers (the page writes it)."""
