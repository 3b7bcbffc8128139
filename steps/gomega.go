package steps

import "github.com/onsi/gomega"

// Short names for the gomega parts every step file uses.
type gomegaG = gomega.Gomega

var equal = gomega.Equal

var hasPrefix = gomega.HavePrefix

var (
	beIdenticalTo    = gomega.BeIdenticalTo
	containSubstring = gomega.ContainSubstring
)
