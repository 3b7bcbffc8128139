// Package guid holds the one form of the object ids presencesim makes and
// reads: a GUID of 36 characters, hex digits in groups of 8-4-4-4-12.
// Ids it makes are version-4 GUIDs in lower case, drawn from a seeded
// stream so that a world's ids repeat with its seed; ids it reads may be in
// either case and of any version, as Graph accepts them.
package guid
