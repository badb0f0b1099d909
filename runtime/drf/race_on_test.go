//go:build race

package drf

// raceEnabled: the race detector changes what escapes, so allocation
// counts are only checked without it.
const raceEnabled = true
