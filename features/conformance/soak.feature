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

  # A presence reader writes nothing: its staleness runs from a change of a
  # person's Teams presence to the first view the reader reports that shows
  # it. Its presence account holds one subscription of 650 ids (G-SUB-1):
  # the rest of a tenant of 1,000 is read in bulk every 10 s.
  @C-12 @C-8
  Scenario: The reference Nimbus reader sees a morning of 1,000 people within its poll, within Graph's limit
    Given a tenant of 1000 people and the seed 3
    And Graph allows the tenant's connector 75 requests per 30 seconds
    When the reference Nimbus reader follows the day from 09:30 to 09:40 in steps of 1 second
    Then the reader's view never goes back to an older presence
    And no Teams change goes unseen by the reader
    And every Teams change reaches the reader's view within 11 seconds at the most
    And every Teams change reaches the reader's view within 2 seconds at p50
    And the connector stays within Graph's limit
