Feature: bad input
  Scenario: bad
    Given the users alice and bob
    And alice has a desk phone on the PBX
    Given CloudLink writes its session for 10 minutes and refreshes it every 10 minutes
