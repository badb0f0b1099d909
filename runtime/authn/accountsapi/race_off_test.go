//go:build !race

package accountsapi_test

const raceOn = false
