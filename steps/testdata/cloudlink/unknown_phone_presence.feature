Feature: bad input
  Scenario: bad
    Given the users alice and bob
    And alice has a desk phone on the PBX
    Given alice's PBX phone presence is Klingelt
