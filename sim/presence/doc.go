// Package presence is the vocabulary of presencesim: the typed Availability
// and Activity values of Microsoft Graph, a Presence that combines them with
// the out-of-office flag, parsing of the PascalCase and camelCase Graph words
// and of the German labels the source documents use (one glossary), the
// display labels Teams shows, and the pairs each Graph API accepts.
//
// Values are typed from the edge inward: a word from a feature file or a
// request body is parsed here once, and an unknown word is an error that lists
// the valid ones.
package presence
