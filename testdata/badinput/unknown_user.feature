Feature: bad input: unknown user
  @T-ACT-1
  Scenario: unknown user
    Given the users alice and bob
    Then zed's presence is Available
