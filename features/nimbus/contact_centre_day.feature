Feature: A contact-centre day: federation against presence accounts in numbers
  A working day with calls arriving at a seeded random rate, agents with
  calendars, Busy set by hand and direct calls outside Nimbus, run under four
  configurations. The document's warning and its remedy show in the numbers:
  with federation and Busy distributed agents in a call get calls; with Busy
  not distributed they do not, but agents Busy in a meeting or by hand are
  skipped and callers wait; presence accounts avoid the second call without
  skipping them (seed 003).

  @NB-3 @NB-4 @NB-2
  Scenario: A day of 50 agents and 2,000 calls under every configuration
    When a contact-centre day with 50 agents and 2000 calls is simulated with seed 1
    Then with federation and Busy distributed, some calls are offered to agents already in a call
    And with federation and Busy not distributed, no call is offered to agents already in a call
    And with presence accounts and Busy not distributed, no call is offered to agents already in a call
    And fewer calls are offered to agents already in a call with presence accounts and Busy distributed than with federation and Busy distributed
    And more calls find nobody to distribute to with federation and Busy not distributed than with presence accounts and Busy distributed
    And callers wait longer on average with federation and Busy not distributed than with presence accounts and Busy distributed
    And the simulated day gives the same report when run again
