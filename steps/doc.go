// Package steps binds the Gherkin step language of presencesim to a
// simulated world and the fakes. A step parses its phrase into typed values,
// acts on the world or asserts with gomega; it holds no domain logic.
//
// Each scenario gets its own Scenario (fresh world, own gomega), so godog may
// run scenarios concurrently. A failed assertion returns a step error that
// says what was expected, what the model derived and why (the explanation of
// the user's presence). Every step is registered with one example, which
// `presencesim steps` prints as the catalogue.
//
// Each step group is its own type over the Scenario, the small core every
// group shares (the world, the users introduced, the live world while a
// connector under test shares it); the group holds its own state, and
// registry.go registers every group from one table. State that several
// groups read stays on the scenario behind one accessor: the Graph fake
// and its client (graph), CloudLink with its PBX (cloudlink), the
// connector under test (conformance). What is not a phrase lives beside
// what it serves: the Graph client, placeholders, JSON paths and webhooks
// in fakes/graph/graphtest, Nimbus words in sim/nimbus, the suite runner
// in suite.
//
// A view step is written once as a View (what is looked at, the expected
// value, how to read it now) and gains its three shapes from it: Is ("… is
// X"), StaysUntil ("… stays X until 09:45") and Within ("within 60 seconds
// … is X"). The seed state tables (states.go) are Scenario Outlines in the
// seeds' own words; a test compares them with excerpts of the seeds.
package steps
