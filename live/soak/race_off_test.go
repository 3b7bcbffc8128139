//go:build !race

package soak

const raceOn = false
