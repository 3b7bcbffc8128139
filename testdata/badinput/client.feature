Feature: bad input: unknown client
  @T-ACT-1
  Scenario: unknown client
    Given alice is signed in to Teams on laptop
