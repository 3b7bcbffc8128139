//go:build !race

package graph

const raceOn = false
