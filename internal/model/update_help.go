package model

// The help overlay's keys are in the key table (keys.go): esc and ? close
// it, q quits, ctrl+c quits; every other key is ignored while it is open.
