Feature: bad input
  Scenario: bad
    Given the users alice and bob
    And alice has a desk phone on the PBX
    When alice sets Mittagspause in Mitel One
