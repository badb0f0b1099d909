//go:build !race

package drf

const raceEnabled = false
