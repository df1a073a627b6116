"""Channel adapters: each turns a platform's messages into `bot.Inbound` and `bot.Outbound` into platform calls."""
