"""What analysts and operators see: SQL access, exports, the HTML report, the data
dictionary and progress display. Everything here reads the warehouse; nothing writes it."""
