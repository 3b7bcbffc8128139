Feature: The reference CloudLink connector at tenant scale
  A tenant of many people lives a seeded working day: sign-ins, idle
  stretches, lunch, Teams calls, meetings and about one desk-phone call an
  hour each, a fifth of them 2–30 s long. The reference CloudLink connector
  runs in process against the fakes, paced: the world's clock moves a step
  at a time, and after each the connector takes in the PBX's events and
  makes one pass. Staleness is the world's own truth, to the step: from a
  desk-phone line going busy or idle (CL-3) to the moment the connector's
  session in Teams agrees with it.

  @C-12
  Scenario: A morning of 1,000 people reaches Teams within a step, within Graph's limit
    Given a tenant of 1000 people with desk phones and the seed 3
    When the reference CloudLink connector carries the day from 09:00 to 09:30 in steps of 1 second
    Then every line change reaches Teams before the next one
    And calls started reach Teams within 1 second at the most
    And calls ended reach Teams within 1 second at p99
    And the connector stays within Graph's limit
