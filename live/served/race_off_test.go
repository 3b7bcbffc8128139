//go:build !race

package served

const raceOn = false
