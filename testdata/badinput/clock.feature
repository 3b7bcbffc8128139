Feature: bad input: malformed time
  @T-ACT-2
  Scenario: malformed time
    Given it is 25:00
