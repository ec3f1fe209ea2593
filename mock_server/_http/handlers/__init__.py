"""One module per Store API tag (plus ``control``); one function per operationId."""
