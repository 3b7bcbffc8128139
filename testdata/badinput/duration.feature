Feature: bad input: malformed duration
  @T-ACT-2
  Scenario: malformed duration
    Given the users alice
    When 10 minuets pass
