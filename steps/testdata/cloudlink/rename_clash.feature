Feature: bad input
  Scenario: bad
    Given the users alice and bob
    And alice has a desk phone on the PBX
    When the admin renames the MiVO400 state "Besprechung" to "Besetzt"
