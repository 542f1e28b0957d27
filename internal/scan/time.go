package scan

import "time"

// timeNow is the clock of backends without their own; tests may replace it.
var timeNow = time.Now
